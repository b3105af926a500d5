# raising a class (not an instance) uncaught: NotImplementedError, status 1
class Task:
    def run(self):
        raise NotImplementedError


print("starting")
Task().run()
print("not reached")
