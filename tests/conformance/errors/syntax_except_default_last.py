# a bare 'except:' before another handler is a compile-time SyntaxError ("default 'except:' must be last"): nothing runs, status 1
# needs: bare-except
print("never printed: the file does not compile")
try:
    pass
except:
    pass
except ValueError:
    pass
