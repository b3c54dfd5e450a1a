# ruff: noqa: E501  (layout tables read best one a line)
"""Invoices for sample_suites/invoice_extraction.jsonl: generated from a fixed seed, in the
layouts and number/date formats real vendors use (US, UK, euro-zone), with the true fields."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

VENDORS = [
    ("Northwind Traders Ltd", "GBP", "uk"), ("Contoso Cloud Services Inc.", "USD", "us"),
    ("Fabrikam Office Supply", "USD", "us"), ("Tailspin Print GmbH", "EUR", "eu"),
    ("Adatum Consulting LLC", "USD", "us"), ("Litware Studio SARL", "EUR", "eu"),
    ("Wingtip Catering Ltd", "GBP", "uk"), ("Proseware Hosting BV", "EUR", "eu"),
    ("Alpine Ski House", "CAD", "us"), ("Coho Vineyard Pty Ltd", "AUD", "uk"),
]  # fmt: skip
ITEMS = ["Consulting hours", "Cloud hosting (monthly)", "Printer toner", "Catering for 40 guests",
         "Annual support plan", "Design workshop", "Office chairs", "Domain renewal", "Data migration"]  # fmt: skip
SYMBOL = {"USD": "$", "GBP": "£", "EUR": "€", "CAD": "CA$", "AUD": "A$"}
MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December"]  # fmt: skip


def money(amount: float, currency: str, style: str, rng: random.Random) -> str:
    if style == "eu":
        text = f"{amount:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
        return f"{text} {currency}" if rng.random() < 0.5 else f"{text} €"
    text = f"{amount:,.2f}"
    return f"{SYMBOL[currency]}{text}" if rng.random() < 0.7 else f"{currency} {text}"


def written_date(day: date, style: str, rng: random.Random) -> str:
    choice = rng.random()
    if choice < 0.3:
        return day.isoformat()
    if style == "us":
        return (
            f"{day.month:02d}/{day.day:02d}/{day.year}"
            if choice < 0.65
            else f"{MONTH_NAMES[day.month - 1]} {day.day}, {day.year}"
        )
    if style == "uk":
        return (
            f"{day.day:02d}/{day.month:02d}/{day.year}"
            if choice < 0.65
            else f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"
        )
    return f"{day.day:02d}.{day.month:02d}.{day.year}"


def invoice(rng: random.Random, index: int) -> dict[str, Any]:
    vendor, currency, style = rng.choice(VENDORS)
    issued = date(2024, 1, 1) + timedelta(days=rng.randrange(0, 420))
    due = issued + timedelta(days=rng.choice([14, 30, 45])) if rng.random() < 0.8 else None
    number = rng.choice(["INV-{n}", "{y}-{n}", "NW{n}", "F{y}/{n}"]).format(
        n=rng.randrange(100, 99999), y=issued.year
    )
    lines = [(rng.choice(ITEMS), round(rng.uniform(20, 4000), 2)) for _ in range(rng.randrange(1, 4))]
    subtotal = round(sum(amount for _, amount in lines), 2)
    tax = round(subtotal * rng.choice([0.0, 0.08, 0.2, 0.19]), 2)
    total = round(subtotal + tax, 2)
    number_label = rng.choice(["Invoice No:", "Invoice #", "Invoice number:", "Invoice #:"])
    total_label = rng.choice(["Total", "Amount due", "Total due", "Balance due", "Grand total"])
    text = [vendor if rng.random() < 0.8 else f"INVOICE\nFrom: {vendor}", f"{number_label} {number}",
            f"Invoice date: {written_date(issued, style, rng)}"]  # fmt: skip
    if due:
        text.append(f"{rng.choice(['Due date', 'Payment due', 'Pay by'])}: {written_date(due, style, rng)}")
    text.append(
        f"Bill to: {rng.choice(['Dana Kim', 'Acme Robotics', 'Blue Yonder Airlines', 'Lucerne Publishing'])}"
    )
    text += [f"  {item} ........ {money(amount, currency, style, rng)}" for item, amount in lines]
    if tax:
        subtotal_label = "Total excl. VAT" if style != "us" and rng.random() < 0.4 else "Subtotal"
        text += [f"{subtotal_label}: {money(subtotal, currency, style, rng)}", f"{rng.choice(['VAT', 'Tax', 'Sales tax'])}: {money(tax, currency, style, rng)}"]  # fmt: skip
    text.append(f"{total_label}: {money(total, currency, style, rng)}")
    expected = {"invoice_number": number, "vendor": vendor, "invoice_date": issued.isoformat(),
                "due_date": due.isoformat() if due else None, "currency": currency, "total": total}  # fmt: skip
    return {
        "id": f"inv-{index:03d}",
        "input": "\n".join(text),
        "expected": expected,
        "tags": [style, currency.lower()],
    }


def invoices(count: int = 60) -> list[dict[str, Any]]:
    rng = random.Random(20240601)
    return [invoice(rng, index) for index in range(1, count + 1)]
