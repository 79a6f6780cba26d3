"""cvrule: may this vehicle, this connectivity hardware, this software be imported into and sold
in the United States under the BIS Connected Vehicles rule (15 CFR part 791 subpart D)?"""

from cvrule.errors import CaseFileError, CvruleError, InputError, ParameterError

__version__ = "0.1.0"

__all__ = ["CaseFileError", "CvruleError", "InputError", "ParameterError", "__version__"]
