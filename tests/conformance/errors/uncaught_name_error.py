# NameError for an unbound name ends the script (status 1); names are resolved at run time, so earlier code runs
# needs: builtin:NameError
def later():
    return undefined_name


print("defined fine")
later()
print("not reached")
