# exceptions from methods and attribute lookups propagate out of the script: AttributeError, status 1
class Account:
    def __init__(self):
        self.balance = 10

    def show(self):
        print("balance", self.balance)
        print("owner", self.owner)


a = Account()
a.show()
print("not reached")
