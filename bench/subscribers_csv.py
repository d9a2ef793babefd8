"""The benchmarks' subscriber file: ROWS people (email, name, 5 custom fields), the same every run.

Usage: python3 bench/subscribers_csv.py ROWS PATH. Used by bench/import.sh and bench/campaign-audience.sh.
"""
import random
import sys

rows, path = int(sys.argv[1]), sys.argv[2]
random.seed(7)
plans = ["free", "pro", "team"]
with open(path, "w", encoding="utf-8") as f:
    f.write("email,name,city,plan,age,joined,vip\n")
    for i in range(rows):
        f.write(f"person{i}@example{i % 97}.com,Person {i},City {i % 500},{plans[i % 3]},{18 + i % 60},"
                f"20{10 + i % 15}-0{1 + i % 9}-1{i % 9},{'yes' if i % 7 == 0 else 'no'}\n")
