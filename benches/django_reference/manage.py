#!/usr/bin/env python3
"""The reference stack for scripts/load_bench.py: Django + Django REST framework + implicit."""
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reference.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
