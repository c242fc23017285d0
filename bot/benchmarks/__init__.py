"""What `weiquan bench` needs beyond the in-process run: the PostgreSQL floor, a fake Bot API and
the webhook load generator. Installed with the package; peer benchmarks (bench/) stay in the checkout.
"""
