#!/bin/sh
# The imsg layer: framing, bounds, typed reads, descriptor passing.
exec "$IMD_BUILD/regress/imsg/imsg_test"
