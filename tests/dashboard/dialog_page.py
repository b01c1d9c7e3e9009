"""A bare page for the dialogs' AppTests: what the Orders page does around a dialog (flash
toasts, the Undo bar, the New order button, the open dialog), without the live table."""

from __future__ import annotations

from ui.all_dialogs import show_flash, show_open_dialog
from ui.new_order import render_new_order_button
from ui.order_dialogs import render_undo_bar

show_flash()
render_undo_bar()
render_new_order_button()
show_open_dialog()
