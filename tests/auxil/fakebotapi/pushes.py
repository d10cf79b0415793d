"""The test's side of the chat: a user typing, pressing buttons and sending media."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tests.auxil import updates

if TYPE_CHECKING:
    from .server import FakeBotApi


class PushApi:
    """Mixin for FakeBotApi: builds updates with tests/auxil/updates.py and queues them."""

    def _push(self: FakeBotApi, factory: Any, chat_id: int, *args: Any, **who: Any) -> dict:
        who.setdefault("message_id", self.state.chat_state(chat_id).next_id())
        who.setdefault("date", self.state.date())
        who.setdefault("update_id", 0)  # push_update assigns the real one
        return self.push_update(factory(chat_id, *args, **who))

    def push_text(self, chat_id: int, text: str, **who: Any) -> dict:
        """The user types `text` (user_id=, first_name=, username=, language_code=,
        chat_type= as in updates.message_update)."""
        return self._push(updates.text_update, chat_id, text, **who)

    def push_command(self, chat_id: int, command: str, args: str = "", **who: Any) -> dict:
        """The user sends /command."""
        return self._push(updates.command_update, chat_id, command, args, **who)

    def push_group_text(self, chat_id: int, text: str, **who: Any) -> dict:
        """Someone types in a group (chat_type="group" unless given)."""
        return self._push(updates.group_text_update, chat_id, text, **who)

    def push_sticker(self, chat_id: int, emoji: str = "🙂", **who: Any) -> dict:
        return self._push(updates.sticker_update, chat_id, emoji, **who)

    def push_photo(self, chat_id: int, caption: str | None = None, **who: Any) -> dict:
        return self._push(updates.photo_update, chat_id, caption, **who)

    def push_contact(self, chat_id: int, phone_number: str = "+31600000000", **who: Any) -> dict:
        return self._push(updates.contact_update, chat_id, phone_number, **who)

    def push_location(
        self, chat_id: int, latitude: float = 52.37, longitude: float = 4.89, **who: Any
    ) -> dict:
        return self._push(updates.location_update, chat_id, latitude, longitude, **who)

    def push_voice(self, chat_id: int, duration: int = 3, **who: Any) -> dict:
        return self._push(updates.voice_update, chat_id, duration, **who)

    def push_document(self, chat_id: int, file_name: str = "file.pdf", **who: Any) -> dict:
        return self._push(updates.document_update, chat_id, file_name, **who)

    def push_poll(self, chat_id: int, question: str = "Which?", **who: Any) -> dict:
        return self._push(updates.poll_update, chat_id, question, **who)

    def push_edited_text(self: FakeBotApi, chat_id: int, message_id: int, text: str) -> dict:
        """The user edits their earlier text message."""
        chat = self.state.chats.get(chat_id)
        stored = chat.live(message_id) if chat else None
        if stored is None or stored.outgoing or "text" not in stored.message:
            raise LookupError(f"no text message {message_id} from the user in that chat")
        update = updates.edited_text_update(
            stored.message, text, edit_date=self.state.date(), update_id=0
        )
        return self.push_update(update)

    def push_callback(
        self: FakeBotApi,
        chat_id: int,
        message_id: int,
        data: str,
        *,
        user: dict | None = None,
        strict: bool = True,
    ) -> dict:
        """The user presses the inline button carrying `data` under bot message `message_id`.

        With strict (the default) the button must exist on that message, as in a real client.
        """
        chat = self.state.chats.get(chat_id)
        stored = chat.live(message_id) if chat else None
        if stored is None or not stored.outgoing:
            raise LookupError(f"no bot message {message_id} in that chat")
        offered = [b.get("callback_data") for b in updates.inline_buttons(stored.message)]
        if strict and data not in offered:
            raise LookupError(
                f"message {message_id} has no button with that data; it offers {offered}"
            )
        return self.push_update(
            updates.callback_update(stored.message, data, user=user, update_id=0)
        )

    def push_button(self: FakeBotApi, chat_id: int, label: str, **kwargs: Any) -> dict:
        """Press the callback button labelled `label` on the newest bot message showing it."""
        for message in reversed(self.messages_in(chat_id)):
            for button in updates.inline_buttons(message):
                if button["text"] == label and "callback_data" in button:
                    return self.push_callback(
                        chat_id, message["message_id"], button["callback_data"], **kwargs
                    )
        shown = [updates.button_labels(m) for m in self.messages_in(chat_id)[-3:]]
        raise LookupError(f"no button {label!r}; the last messages show {shown}")

    def last_message(self: FakeBotApi, chat_id: int) -> dict | None:
        """The bot's newest message still in the chat."""
        messages = self.messages_in(chat_id)
        return messages[-1] if messages else None
