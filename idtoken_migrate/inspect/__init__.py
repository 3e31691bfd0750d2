"""`inspect-token`: decode a token and explain what the verifier would say of it."""
