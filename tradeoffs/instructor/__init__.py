"""Instructor tooling: release lessons, import and autograde submissions, feedback and reports."""
