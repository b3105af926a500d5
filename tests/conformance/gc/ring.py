# a ring of N instances (and a ring of lists) is collected in one go; a chain without a cycle is freed by refcounting
import gc

gc.disable()


class Node:
    pass


def ring(n):
    first = Node()
    cur = first
    for i in range(n - 1):
        nxt = Node()
        cur.next = nxt
        cur = nxt
    cur.next = first


gc.collect()
ring(10)
print("ring of 10 instances:", gc.collect())
ring(1)
print("ring of 1:", gc.collect())
head = []
cur = head
for i in range(99):
    nxt = []
    cur.append(nxt)
    cur = nxt
cur.append(head)
del cur, nxt
del head
print("ring of 100 lists:", gc.collect())
chain = Node()
chain.next = Node()
chain.next.next = Node()
del chain
print("chain without a cycle (already freed):", gc.collect())
