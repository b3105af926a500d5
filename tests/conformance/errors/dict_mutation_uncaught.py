# an uncaught "dictionary changed size during iteration" RuntimeError: status 1 after the first iteration's output
# needs: builtin:RuntimeError
d = {"a": 1}
for k in d:
    print("visiting", k)
    d["new"] = 2
print("not reached")
