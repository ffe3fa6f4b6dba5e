"""Checkout-only tools: the browser harness and benchmark of the dashboard (not installed)."""
