"""Peer benchmarks run beside `weiquan bench` (not installed with the package)."""
