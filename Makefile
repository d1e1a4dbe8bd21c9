# Thin aliases for the scripts; the scripts are the source of truth.
# Pass extra arguments with ARGS, e.g. `make test ARGS="-k scene -x"`.
.PHONY: bootstrap test run bench

bootstrap:
	./scripts/bootstrap

test:
	./scripts/test $(ARGS)

run:
	./scripts/run $(ARGS)

bench: bootstrap
	@if [ -x scripts/bench ]; then ./scripts/bench; \
	else for f in benchmarks/bench_*.py; do [ -e "$$f" ] || { echo "no benchmarks yet"; exit 1; }; \
	echo "== $$f"; .venv/bin/python "$$f" || exit 1; done; fi
