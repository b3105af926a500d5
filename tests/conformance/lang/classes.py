# classes: attributes (class vs instance), methods, single inheritance, overriding, Base.method(self), isinstance, type names
class Animal:
    kind = "animal"
    count = 0

    def __init__(self, name):
        self.name = name
        Animal.count += 1

    def speak(self):
        return self.name + " makes a sound"

    def describe(self):
        return self.name + " is an " + self.kind


class Dog(Animal):
    kind = "dog"

    def speak(self):
        return self.name + " barks"


class Puppy(Dog):
    def __init__(self, name, age):
        Dog.__init__(self, name)
        self.age = age

    def speak(self):
        return Dog.speak(self) + " softly"


a = Animal("generic")
d = Dog("rex")
p = Puppy("bit", 1)
for x in [a, d, p]:
    print(type(x).__name__, "|", x.speak(), "|", x.describe())
print("count:", Animal.count, p.count)
print("isinstance:", isinstance(p, Animal), isinstance(p, Dog), isinstance(d, Puppy), isinstance(1, Animal))
print("isinstance builtins:", isinstance(1, int), isinstance("s", str), isinstance([], list), isinstance(True, int))
p.kind = "own"
print("instance attribute shadows class attribute:", p.kind, Puppy.kind)
Dog.kind = "changed"
print("class attribute change seen through instances:", d.kind, Puppy("x", 2).kind)
try:
    a.missing
except AttributeError as e:
    print("AttributeError:", e)
