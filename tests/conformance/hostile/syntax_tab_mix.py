# indentation mixing a tab and spaces inconsistently: TabError (a SyntaxError), nothing runs, status 1
print("not printed")
if True:
        x = 1
	y = 2
