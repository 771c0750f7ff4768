"""The runtime operators of converted code.

Generated code reaches these through its ``ag__`` free variable; the names are part of
the generated source that ``to_code`` shows.  ``conversion`` builds the ``ag__``
namespace from them and its own ``converted_call``.
"""

from fluxion.graph.autograph.conditionals import and_, if_exp, if_stmt, not_, or_
from fluxion.graph.autograph.loops import for_stmt, loop_options, while_stmt
from fluxion.graph.autograph.tensor_list import list_append
from fluxion.graph.autograph.undefined import Undefined, UndefinedReturnValue, return_value

__all__ = ["Undefined", "UndefinedReturnValue", "and_", "for_stmt",
           "if_exp", "if_stmt", "list_append", "loop_options", "not_", "or_",
           "return_value", "while_stmt"]
