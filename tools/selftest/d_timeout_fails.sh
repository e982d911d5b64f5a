#!/bin/bash
# rxe-test: setup=none timeout=3
# expect: FAIL timed out after 3s
sleep 100
