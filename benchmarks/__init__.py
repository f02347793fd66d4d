"""Benchmark harness for cleantext: corpus generator, speed, scaling, memory, peers side by side.

Run ``python -m benchmarks --help``. Nothing here runs at import time.
"""
