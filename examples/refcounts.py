# Lesson 1: reference counting. Every object counts the references to it and is freed the moment
# that count drops to zero. sys.getrefcount(x) shows the count plus one, because its own argument
# is a reference too: a fresh list bound to one name reads 2.
#
# What to watch:
#   - each new name, container slot or function argument adds one; `del` takes one away;
#   - a call such as sum(numbers) holds a reference only while it runs;
#   - inside a function the parameter adds references, and they go away when it returns.
# needs: builtin:sum
import sys

print("== the list `numbers` ==")
numbers = [1, 2, 3]
print("numbers = [1, 2, 3]            ", sys.getrefcount(numbers))
more_numbers = numbers
print("more_numbers = numbers         ", sys.getrefcount(numbers))
total = sum(numbers)
print("total = sum(numbers)           ", sys.getrefcount(numbers), "(sum() let go when it returned)")
matrix = [numbers, numbers, numbers]
print("matrix = [numbers] x 3 slots   ", sys.getrefcount(numbers))
del matrix
print("del matrix                     ", sys.getrefcount(numbers))
del more_numbers
print("del more_numbers               ", sys.getrefcount(numbers))

print("== the list `a` ==")
a = [1, 2, 3]
print("a = [1, 2, 3]                  ", sys.getrefcount(a))
b = a
print("b = a                          ", sys.getrefcount(a))
c = [a, 4]
print("c = [a, 4]                     ", sys.getrefcount(a))
del c
print("del c                          ", sys.getrefcount(a))


def receive(x):
    print("inside receive(a)              ", sys.getrefcount(x), "(a, b, x)")
    y = x
    print("  after y = x in there         ", sys.getrefcount(x))


receive(a)
print("after receive(a) returned      ", sys.getrefcount(a))
print("a temporary: getrefcount([])   ", sys.getrefcount([]))
