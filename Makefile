# 盘活 Panhuo — two commands do all set-up on a fresh machine:
#   make run    install the Python packages and start the app on the sample data
#   make test   install what the tests need (Python packages, Debian chromium, postgresql,
#               CJK fonts), start PostgreSQL, and run every test (unit, AppTest, browser)
PYTHON ?= python3
PORT ?= 8501
# Localhost only by default: analyst mode can import and restore data, so serve on a network only
# behind sign-in (see README, 安全). ADDRESS=0.0.0.0 make run serves every interface.
ADDRESS ?= 127.0.0.1

.PHONY: install install-dev system run test unit e2e lint format bench bench-scale

install:
	$(PYTHON) -m pip install -q -r requirements.txt

install-dev:
	$(PYTHON) -m pip install -q -r requirements-dev.txt

system:
	bash scripts/install-system.sh

run: install
	$(PYTHON) -m streamlit run app.py --server.address $(ADDRESS) --server.port $(PORT)

test: install-dev system
	PANHUO_TEST_POSTGRES_URL="$$(bash scripts/start-postgres.sh)" $(PYTHON) -m pytest
	$(PYTHON) -m pytest -q --doctest-modules panhuo components --ignore=panhuo/store/migrations

unit:
	$(PYTHON) -m pytest -m "not e2e"

e2e:
	$(PYTHON) -m pytest -m e2e

bench:
	$(PYTHON) -m pytest benchmarks --benchmark-only

# generated parcels at each size: import, then Panhuo's pages against a naive app and a pandas
# floor (benchmarks/scale/README.md); writes benchmarks/results/scale-<date>.md and .json
SIZES ?= 10000 100000 1000000
bench-scale:
	$(PYTHON) benchmarks/scale/run.py --sizes $(SIZES)

lint: install-dev
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check .

format:
	$(PYTHON) -m ruff format .
	$(PYTHON) -m ruff check --fix .
