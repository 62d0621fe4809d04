"""Chat in a consultation: who may write and read (`members`), the stored messages and their
history (`messages`), the frames (`frames`), who receives them (`delivery`), the websocket
handlers (`handlers`) and the refusals in the sender's language (`refusals`).
"""
