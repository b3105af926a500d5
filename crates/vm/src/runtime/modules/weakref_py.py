# The Python half of pymem's `weakref` module, compiled into the module namespace when it is
# first imported (CPython's own WeakValueDictionary, WeakKeyDictionary and finalize are Python
# code too). `ref`, `proxy`, ... are the Rust builtins already in the namespace.


class WeakValueDictionary:
    def __init__(self, other=None, **kw):
        self.data = {}
        if other is not None:
            self.update(other)
        if kw:
            self.update(kw)

    def _remover(self, key):
        data = self.data

        def remove(wr):
            if key in data and data[key] is wr:
                del data[key]

        return remove

    def __setitem__(self, key, value):
        self.data[key] = ref(value, self._remover(key))

    def __getitem__(self, key):
        o = self.data[key]()
        if o is None:
            raise KeyError(key)
        return o

    def __delitem__(self, key):
        del self.data[key]

    def __len__(self):
        return len(self.data)

    def __contains__(self, key):
        if key not in self.data:
            return False
        return self.data[key]() is not None

    def get(self, key, default=None):
        if key not in self.data:
            return default
        o = self.data[key]()
        if o is None:
            return default
        return o

    def pop(self, key, *args):
        if key in self.data:
            o = self.data.pop(key)()
            if o is not None:
                return o
        if args:
            return args[0]
        raise KeyError(key)

    def setdefault(self, key, default=None):
        o = self.get(key)
        if o is None:
            self[key] = default
            return default
        return o

    def update(self, other=None, **kw):
        if other is not None:
            if hasattr(other, "items"):
                other = other.items()
            for k, v in other:
                self[k] = v
        for k in kw:
            self[k] = kw[k]

    def keys(self):
        return [k for k in list(self.data) if self.data[k]() is not None]

    def __iter__(self):
        return iter(self.keys())

    def values(self):
        out = []
        for wr in list(self.data.values()):
            o = wr()
            if o is not None:
                out.append(o)
        return out

    def items(self):
        out = []
        for k in list(self.data):
            o = self.data[k]()
            if o is not None:
                out.append((k, o))
        return out

    def valuerefs(self):
        return list(self.data.values())

    def clear(self):
        self.data.clear()

    def copy(self):
        new = WeakValueDictionary()
        for k, v in self.items():
            new[k] = v
        return new


class WeakKeyDictionary:
    def __init__(self, dict=None):
        self.data = {}
        if dict is not None:
            self.update(dict)

    def _remover(self, key_id):
        data = self.data

        def remove(wr):
            if key_id in data and data[key_id][0] is wr:
                del data[key_id]

        return remove

    def _slot(self, key):
        try:
            wr = ref(key)
        except TypeError:
            return None
        k = id(key)
        if k in self.data and self.data[k][0]() is key:
            return k
        return None

    def __setitem__(self, key, value):
        k = self._slot(key)
        if k is not None:
            self.data[k][1] = value
            return
        k = id(key)
        self.data[k] = [ref(key, self._remover(k)), value]

    def __getitem__(self, key):
        k = self._slot(key)
        if k is None:
            raise KeyError(key)
        return self.data[k][1]

    def __delitem__(self, key):
        k = self._slot(key)
        if k is None:
            raise KeyError(key)
        del self.data[k]

    def __len__(self):
        return len(self.data)

    def __contains__(self, key):
        return self._slot(key) is not None

    def get(self, key, default=None):
        k = self._slot(key)
        if k is None:
            return default
        return self.data[k][1]

    def pop(self, key, *args):
        k = self._slot(key)
        if k is None:
            if args:
                return args[0]
            raise KeyError(key)
        return self.data.pop(k)[1]

    def setdefault(self, key, default=None):
        k = self._slot(key)
        if k is None:
            self[key] = default
            return default
        return self.data[k][1]

    def update(self, dict=None, **kw):
        if dict is not None:
            if hasattr(dict, "items"):
                dict = dict.items()
            for k, v in dict:
                self[k] = v
        for k in kw:
            self[k] = kw[k]

    def keys(self):
        out = []
        for e in list(self.data.values()):
            o = e[0]()
            if o is not None:
                out.append(o)
        return out

    def __iter__(self):
        return iter(self.keys())

    def values(self):
        out = []
        for e in list(self.data.values()):
            if e[0]() is not None:
                out.append(e[1])
        return out

    def items(self):
        out = []
        for e in list(self.data.values()):
            o = e[0]()
            if o is not None:
                out.append((o, e[1]))
        return out

    def keyrefs(self):
        return [e[0] for e in list(self.data.values())]

    def clear(self):
        self.data.clear()


_finalize_registry = {}
_finalize_state = [0, False]


def _finalize_callback(key):
    def callback(wr):
        entry = _finalize_registry.get(key)
        if entry is not None and entry[1] is wr:
            entry[0]()

    return callback


class finalize:
    atexit = True

    def __init__(self, obj, func, *args, **kwargs):
        key = id(self)
        wr = ref(obj, _finalize_callback(key))
        _finalize_state[0] += 1
        _finalize_registry[key] = [self, wr, func, args, kwargs or None, _finalize_state[0]]

    def __call__(self, _=None):
        key = id(self)
        if key not in _finalize_registry:
            return None
        info = _finalize_registry.pop(key)
        if _finalize_state[1]:
            return None
        kw = info[4]
        if kw is None:
            kw = {}
        return _apply(info[2], info[3], kw)

    def detach(self):
        key = id(self)
        info = _finalize_registry.get(key)
        if info is None:
            return None
        obj = info[1]()
        if obj is None:
            return None
        del _finalize_registry[key]
        kw = info[4]
        if kw is None:
            kw = {}
        return (obj, info[2], info[3], kw)

    def peek(self):
        info = _finalize_registry.get(id(self))
        if info is None:
            return None
        obj = info[1]()
        if obj is None:
            return None
        kw = info[4]
        if kw is None:
            kw = {}
        return (obj, info[2], info[3], kw)

    def __getattr__(self, name):
        if name == "alive":
            return id(self) in _finalize_registry
        raise AttributeError("'finalize' object has no attribute '" + name + "'")


def _entry_index(entry):
    return entry[5]


def _exitfunc():
    pending = []
    for key in list(_finalize_registry):
        entry = _finalize_registry[key]
        if entry[0].atexit:
            pending.append(entry)
    pending.sort(key=_entry_index)
    while pending:
        f = pending.pop()[0]
        try:
            f()
        except Exception as e:
            _report(f, e)
    _finalize_state[1] = True
