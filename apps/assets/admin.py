# Assets are administered where reviewers work: apps/approvals/admin.py.
