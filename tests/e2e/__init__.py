"""End-to-end tests: ``compositor serve`` processes against real Redis and nginx-rtmp."""
