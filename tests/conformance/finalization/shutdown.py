# an object still referenced by a module global when the script ends is finalized at shutdown (§6 item 17)
class Noisy:
    def __init__(self, name):
        self.name = name

    def __del__(self):
        print("__del__ called for", self.name)


keep = Noisy("global")
print("end of script")
