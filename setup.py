"""Build the meter's C kernel (everything else is declared in pyproject.toml).

The extension is optional: without a working C compiler the install still succeeds, with a
warning, and soundlint uses the kernel's numpy fallback (see src/soundlint/audio/kernel.py).
It needs GCC or clang (it uses their vector extension); other compilers get the fallback.
"""

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

# The kernel's results must match the numpy fallback's operation for operation: no fused
# multiply-add contraction, which GCC would otherwise do wherever the target has FMA.
_UNIX_FLAGS = ["-O3", "-ffp-contract=off"]


class BuildKernel(build_ext):
    def build_extensions(self) -> None:
        if self.compiler.compiler_type == "unix":
            for extension in self.extensions:
                extension.extra_compile_args = [*extension.extra_compile_args, *_UNIX_FLAGS]
        super().build_extensions()


setup(
    ext_modules=[
        Extension(
            "soundlint.audio._kernel",
            sources=["src/soundlint/audio/_kernel.c"],
            optional=True,
        )
    ],
    cmdclass={"build_ext": BuildKernel},
)
