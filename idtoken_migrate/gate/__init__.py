"""The CI gate: verdicts from findings and a baseline, and readiness from the verifier's logs."""
