# runaway recursion through methods, never caught: stdout up to that point, then status 1 (no crash)
class Walker:
    def __init__(self):
        self.steps = 0

    def left(self):
        self.steps += 1
        return self.right()

    def right(self):
        return self.left()


w = Walker()
print("walking")
w.left()
print("not reached")
