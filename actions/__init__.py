"""Custom actions for the Alver innbyggjarbot (run by the rasa_sdk action server).

One module per concern: opening hours, contact, services, not-understood/FAQ, handoff.
Every fact comes from the knowledge base; every text from bot/messages.yml.
"""
