"""A streaming multipart/form-data reader: one file part goes straight to a sink, text
fields are kept (small and few). Nothing is spooled to a temporary file."""

from collections.abc import AsyncIterator, Callable

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from domain.errors import InvalidInput

MAX_FIELDS = 16
MAX_FIELD_BYTES = 1024


class StreamingForm:
    def __init__(self, content_type: str, file_field: str, sink: Callable[[bytes], None]) -> None:
        media_type, options = parse_options_header(content_type)
        boundary = options.get(b"boundary")
        if media_type != b"multipart/form-data" or not boundary:
            raise InvalidInput("Send the photo as multipart/form-data.", field="file")
        self.fields: dict[str, str] = {}
        self.file_parts = 0
        self._field_parts = 0
        self._file_field = file_field
        self._sink = sink
        self._header_field = b""
        self._header_value = b""
        self._headers: dict[bytes, bytes] = {}
        self._name: str | None = None
        self._is_file = False
        self._buffer = bytearray()
        self._complete = False
        self._parser = MultipartParser(boundary, self._callbacks())  # type: ignore[arg-type]

    async def read(self, chunks: AsyncIterator[bytes]) -> None:
        try:
            async for chunk in chunks:
                if self._complete and chunk:  # nothing may follow the closing boundary
                    raise InvalidInput("The upload goes on after its end.", field="file")
                self._parser.write(chunk)
            self._parser.finalize()
        except MultipartParseError as error:
            raise InvalidInput(
                f"The upload is not well-formed multipart data ({error}).", field="file"
            ) from None
        if not self._complete:
            raise InvalidInput(
                "The upload was cut off before its end; send it again.", field="file"
            )
        if self.file_parts != 1:
            raise InvalidInput(
                f"Send exactly one file in the '{self._file_field}' field.", field="file"
            )

    def _callbacks(self) -> dict[str, Callable[..., None]]:
        return {
            "on_part_begin": self._on_part_begin,
            "on_header_field": self._on_header_field,
            "on_header_value": self._on_header_value,
            "on_header_end": self._on_header_end,
            "on_headers_finished": self._on_headers_finished,
            "on_part_data": self._on_part_data,
            "on_part_end": self._on_part_end,
            "on_end": self._on_end,
        }

    def _on_end(self) -> None:
        self._complete = True

    def _on_part_begin(self) -> None:
        self._headers.clear()
        self._buffer.clear()
        self._name, self._is_file = None, False

    def _on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def _on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _on_header_end(self) -> None:
        self._headers[self._header_field.lower()] = self._header_value
        self._header_field, self._header_value = b"", b""

    def _on_headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        name = options.get(b"name", b"").decode("utf-8", errors="replace")
        self._name = name
        self._is_file = name == self._file_field
        if self._is_file:
            self.file_parts += 1
            if self.file_parts > 1:
                raise InvalidInput("Send one photo per request.", field="file")
        else:
            self._field_parts += 1
            if self._field_parts > MAX_FIELDS or not name or name in self.fields:
                raise InvalidInput("Too many, repeated or unnamed form fields.")

    def _on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._is_file:
            self._sink(data[start:end])
            return
        self._buffer += data[start:end]
        if len(self._buffer) > MAX_FIELD_BYTES:
            raise InvalidInput(
                f"The field '{self._name}' is too long; send the photo in the "
                f"'{self._file_field}' field.",
                field=self._name,
            )

    def _on_part_end(self) -> None:
        if not self._is_file and self._name:
            try:
                self.fields[self._name] = self._buffer.decode("utf-8")
            except UnicodeDecodeError:
                raise InvalidInput(
                    f"The field '{self._name}' is not UTF-8 text.", field=self._name
                ) from None
