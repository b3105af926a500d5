# needs: super, __repr__, method:nope
# super() and super(C, obj): methods and class attributes found after C in the MRO, through chains of overrides
class A:
    x = 1
    def m(self, k):
        return ("A.m", k)
    def __repr__(self):
        return "A()"
class B(A):
    def m(self, k):
        return ("B.m", super().m(k), super().x, super(B, self).m(k + 1))
class C(B):
    def m(self, k):
        return ("C.m", super().m(k), super(B, self).m(0))
print(C().m(5))
f = super(B, C()).m
print(f(9))
try:
    super(B, C()).nope()
except AttributeError as e:
    print("AttributeError:", e)
