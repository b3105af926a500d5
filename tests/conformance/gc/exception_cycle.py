# an exception kept in a local of the frame that caught it forms a cycle (exception -> traceback -> frame -> exception)
import gc

gc.disable()
gc.collect()


def keep_exception():
    try:
        raise ValueError("x")
    except ValueError as e:
        saved = e
    return 1


keep_exception()
n = gc.collect()
print("the cycle was collected:", n > 0)
print("then nothing:", gc.collect())


def drop_exception():
    try:
        raise ValueError("x")
    except ValueError as e:
        pass
    return 1


drop_exception()
print("without keeping it there is no cycle:", gc.collect())
