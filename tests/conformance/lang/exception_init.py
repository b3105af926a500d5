# needs: subclass:Exception
# BaseException.__init__ stores its arguments as args; subclasses call it through super()
try:
    ValueError(x=1)
except TypeError as e:
    print(e)
class E(Exception):
    def __init__(self, a, b):
        super().__init__(a)
        self.b = b
e = E(1, 2)
print(e.args, e.b, str(e))
