"""Operator script: print the key a kid maps to."""
import sys

from api import verifier

print(verifier._public_key(sys.argv[1]))
