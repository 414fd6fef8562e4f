"""Expected load failures: each becomes a row in errors.csv, never a traceback."""


class LoadError(Exception):
    error_type = "load_error"


class EncryptedError(LoadError):
    error_type = "encrypted"


class CorruptFileError(LoadError):
    error_type = "corrupt"


class EmptyDocumentError(LoadError):
    error_type = "empty"


class ConverterMissingError(LoadError):
    error_type = "converter_missing"


class UnsupportedFormatError(LoadError):
    error_type = "unsupported_format"


class TooLargeError(LoadError):
    error_type = "too_large"
