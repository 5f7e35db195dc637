"""LLVM intrinsics the numba kernels of :mod:`grace.matching._kernels` need.

Why: numba exposes neither a one-instruction popcount nor a software prefetch. The index's
search is bound by memory latency (each query reads 272 scattered bucket slices), so telling
the CPU which slices come next matters more than any arithmetic; see ``docs/scale.md``.
"""

from __future__ import annotations

from typing import Any

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

_I32 = ir.IntType(32)


def _popcount64_typer(typingctx: Any, x: Any) -> Any:
    """LLVM ``ctpop``: compiles to one ``popcnt`` instruction on the host CPU."""
    if not isinstance(x, types.Integer):
        return None
    sig = types.int64(types.uint64)

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        fnty = ir.FunctionType(ir.IntType(64), [ir.IntType(64)])
        fn = cgutils.get_or_insert_function(  # type: ignore[no-untyped-call]
            builder.module, fnty, "llvm.ctpop.i64"
        )
        return builder.call(fn, [args[0]])

    return sig, codegen


def _prefetch_typer(typingctx: Any, array: Any, index: Any) -> Any:
    """LLVM ``prefetch`` (read, keep in all cache levels) of the line holding ``array[index]``.

    Only a hint: it never faults, so an index past the end (the last bucket's tail) is
    harmless. ``array`` must be one-dimensional and contiguous.
    """
    if not (isinstance(array, types.Array) and array.ndim == 1 and array.layout == "C"):
        return None
    if not isinstance(index, types.Integer):
        return None
    sig = types.void(array, index)

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        data = context.make_array(signature.args[0])(context, builder, args[0]).data
        ptr = builder.bitcast(builder.gep(data, [args[1]]), ir.IntType(8).as_pointer())
        fnty = ir.FunctionType(ir.VoidType(), [ptr.type, _I32, _I32, _I32])
        fn = cgutils.get_or_insert_function(  # type: ignore[no-untyped-call]
            builder.module, fnty, "llvm.prefetch.p0i8"
        )
        builder.call(fn, [ptr, ir.Constant(_I32, 0), ir.Constant(_I32, 3), ir.Constant(_I32, 1)])
        return context.get_dummy_value()

    return sig, codegen


popcount64: Any = intrinsic(_popcount64_typer)
prefetch: Any = intrinsic(_prefetch_typer)
