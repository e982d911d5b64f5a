#!/bin/bash
# rxe-test: setup=none timeout=30
# expect: SKIP no frobnicator in this guest
echo "some output"
echo "SKIP: no frobnicator in this guest"
exit 77
