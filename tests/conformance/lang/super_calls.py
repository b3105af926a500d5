# zero-argument super() in __init__ and methods across three levels; class attributes reassigned after the class body
class Base:
    def __init__(self, v):
        self.v = v
        self.trail = ["Base"]

    def value(self):
        return self.v


class Mid(Base):
    def __init__(self, v):
        super().__init__(v * 2)
        self.trail.append("Mid")

    def value(self):
        return super().value() + 1


class Top(Mid):
    def __init__(self, v):
        super().__init__(v)
        self.trail.append("Top")

    def value(self):
        return super().value() * 10


t = Top(5)
print(t.trail, t.value())


class Strength:
    def __init__(self, level):
        self.level = level


Strength.REQUIRED = Strength(0)
Strength.WEAK = Strength(5)
print("class attributes added later:", Strength.REQUIRED.level, Strength.WEAK.level)


class Empty:
    pass


e = Empty()
e.x = 1
print("empty class body:", type(e).__name__, e.x)
