#!/bin/bash
# kwg-diff: timeout=90
# Padding: inner IPv4 pings whose packets are 28 to 2028 bytes, around the
# 16-byte padding steps and the 1420-byte MTU (1421 and more fragments
# inside): the outer lengths show each data message's padded size.
. /kwg/diff/lib.sh

pair 4
capture_start link n2 v2
for size in 0 1 3 4 5 19 20 21 1375 1376 1380 1381 1391 1392 1393 2000; do
	check "ping -s $size" ping_rec "ping-$size" n1 -c1 -W5 -s "$size" "$IN4_2"
done
capture_stop link
observe after n1 n2
finish
