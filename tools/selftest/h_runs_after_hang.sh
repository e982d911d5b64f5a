#!/bin/bash
# rxe-test: setup=none timeout=30
# expect: PASS
true
