"""Tillverka's domain package: NLU helpers, register, strategy engine and web services.

Nothing here imports rasa_sdk, so the domain logic is testable on its own.
"""
