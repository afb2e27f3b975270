# Moved to emio.params_file; this shim is removed when the redesign merges. Nothing in engine may import it.
from emio.params_file import (FORMAT, VERSION, ParamsDocument, SchemaError,  # noqa: F401
                              dumps, params_from_dict, result_to_dict)
