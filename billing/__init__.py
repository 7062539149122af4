"""Floor 2: customers, packages, bills, payments, ledger, vouchers, operators and auto-suspension."""
