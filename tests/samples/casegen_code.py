# ruff: noqa: E501  (one task a line reads best)
"""Python function tasks for sample_suites/python_functions.jsonl: (signature, task, tests).
The tests are plain asserts that `code-exec` appends to the extracted code."""

from __future__ import annotations

TASKS: list[tuple[str, str, str]] = [
    (
        "def reverse_string(s: str) -> str",
        "Return the string reversed.",
        "assert reverse_string('abc') == 'cba'\nassert reverse_string('') == ''",
    ),
    (
        "def is_palindrome(text: str) -> bool",
        "Return True if the text reads the same forwards and backwards, ignoring case, spaces and punctuation.",
        "assert is_palindrome('A man, a plan, a canal: Panama')\nassert not is_palindrome('evaltui')\nassert is_palindrome('')",
    ),
    (
        "def factorial(n: int) -> int",
        "Return the factorial of a non-negative integer n (the factorial of 0 is 1).",
        "assert factorial(0) == 1\nassert factorial(5) == 120\nassert factorial(10) == 3628800",
    ),
    (
        "def fibonacci(n: int) -> int",
        "Return the n-th Fibonacci number, where fibonacci(0) is 0 and fibonacci(1) is 1.",
        "assert fibonacci(0) == 0\nassert fibonacci(1) == 1\nassert fibonacci(10) == 55",
    ),
    (
        "def is_prime(n: int) -> bool",
        "Return True if n is a prime number.",
        "assert is_prime(2) and is_prime(13) and is_prime(97)\nassert not is_prime(1) and not is_prime(0) and not is_prime(91)",
    ),
    (
        "def sum_evens(numbers: list[int]) -> int",
        "Return the sum of the even numbers in the list.",
        "assert sum_evens([1, 2, 3, 4]) == 6\nassert sum_evens([]) == 0\nassert sum_evens([-2, 3]) == -2",
    ),
    (
        "def count_vowels(text: str) -> int",
        "Count the vowels (a, e, i, o, u) in the text, case-insensitively.",
        "assert count_vowels('Evaluation') == 6\nassert count_vowels('xyz') == 0",
    ),
    (
        "def largest(numbers: list[float]) -> float",
        "Return the largest number in a non-empty list without calling max().",
        "assert largest([3, 9, 2]) == 9\nassert largest([-5, -2, -9]) == -2",
    ),
    (
        "def second_largest(numbers: list[int]) -> int",
        "Return the second largest distinct value in the list.",
        "assert second_largest([4, 1, 4, 3]) == 3\nassert second_largest([10, 20]) == 10",
    ),
    (
        "def flatten(nested: list[list]) -> list",
        "Flatten a list of lists by one level.",
        "assert flatten([[1, 2], [3], []]) == [1, 2, 3]\nassert flatten([]) == []",
    ),
    (
        "def unique(items: list) -> list",
        "Return the items with duplicates removed, keeping the order of first occurrence.",
        "assert unique([3, 1, 3, 2, 1]) == [3, 1, 2]\nassert unique([]) == []",
    ),
    (
        "def word_frequencies(text: str) -> dict[str, int]",
        "Return a dict mapping each lowercase word to how many times it appears in the text.",
        "assert word_frequencies('The cat and the hat') == {'the': 2, 'cat': 1, 'and': 1, 'hat': 1}",
    ),
    (
        "def char_counts(text: str) -> dict[str, int]",
        "Return a dict of character counts for the text.",
        "assert char_counts('aab') == {'a': 2, 'b': 1}\nassert char_counts('') == {}",
    ),
    (
        "def count_words(text: str) -> int",
        "Return the number of words in the text, where words are separated by any whitespace.",
        "assert count_words('one two  three') == 3\nassert count_words('  ') == 0\nassert count_words('a\\tb\\nc') == 3",
    ),
    (
        "def to_fahrenheit(celsius: float) -> float",
        "Convert a temperature in Celsius to Fahrenheit.",
        "assert to_fahrenheit(100) == 212\nassert to_fahrenheit(-40) == -40",
    ),
    (
        "def gcd(a: int, b: int) -> int",
        "Return the greatest common divisor of two positive integers.",
        "assert gcd(12, 18) == 6\nassert gcd(17, 5) == 1",
    ),
    (
        "def capitalize_words(text: str) -> str",
        "Capitalize the first letter of every word and leave the rest of each word unchanged.",
        "assert capitalize_words('hello world') == 'Hello World'\nassert capitalize_words(\"don't stop\") == \"Don't Stop\"\nassert capitalize_words('iPhone sales') == 'IPhone Sales'",
    ),
    (
        "def are_anagrams(a: str, b: str) -> bool",
        "Return True if the two words are anagrams of each other, ignoring case.",
        "assert are_anagrams('Listen', 'Silent')\nassert not are_anagrams('abc', 'abd')",
    ),
    (
        "def chunk(items: list, size: int) -> list[list]",
        "Split the list into chunks of the given size; the last chunk may be shorter.",
        "assert chunk([1, 2, 3, 4, 5], 2) == [[1, 2], [3, 4], [5]]\nassert chunk([], 3) == []",
    ),
    (
        "def clamp(x: float, low: float, high: float) -> float",
        "Clamp x to the range from low to high.",
        "assert clamp(5, 0, 3) == 3\nassert clamp(-1, 0, 3) == 0\nassert clamp(2, 0, 3) == 2",
    ),
    (
        "def median(numbers: list[float]) -> float",
        "Return the median of a non-empty list of numbers.",
        "assert median([3, 1, 2]) == 2\nassert median([4, 1, 3, 2]) == 2.5",
    ),
    (
        "def average(numbers: list[float]) -> float",
        "Return the mean of the numbers, or 0.0 for an empty list.",
        "assert average([1, 2, 3]) == 2\nassert average([]) == 0.0",
    ),
    (
        "def is_leap_year(year: int) -> bool",
        "Return True if the year is a leap year in the Gregorian calendar.",
        "assert is_leap_year(2024) and is_leap_year(2000)\nassert not is_leap_year(1900) and not is_leap_year(2023)",
    ),
    (
        "def fizzbuzz(n: int) -> str",
        "Return 'Fizz' for multiples of 3, 'Buzz' for multiples of 5, 'FizzBuzz' for multiples of both, and otherwise the number as a string.",
        "assert fizzbuzz(9) == 'Fizz' and fizzbuzz(10) == 'Buzz'\nassert fizzbuzz(30) == 'FizzBuzz' and fizzbuzz(7) == '7'",
    ),
    (
        "def digit_sum(n: int) -> int",
        "Return the sum of the decimal digits of a non-negative integer.",
        "assert digit_sum(0) == 0\nassert digit_sum(9875) == 29",
    ),
    (
        "def rotate_right(items: list, k: int) -> list",
        "Rotate the list to the right by k positions (k may exceed the length).",
        "assert rotate_right([1, 2, 3, 4], 1) == [4, 1, 2, 3]\nassert rotate_right([1, 2, 3], 4) == [3, 1, 2]\nassert rotate_right([], 2) == []",
    ),
    (
        "def merge_sorted(a: list[int], b: list[int]) -> list[int]",
        "Merge two sorted lists into one sorted list.",
        "assert merge_sorted([1, 4], [2, 3, 5]) == [1, 2, 3, 4, 5]\nassert merge_sorted([], [1]) == [1]",
    ),
    (
        "def strip_spaces(text: str) -> str",
        "Remove all whitespace characters (spaces, tabs, newlines) from the text.",
        "assert strip_spaces(' a b\\tc\\n') == 'abc'",
    ),
    (
        "def run_length(text: str) -> str",
        "Run-length encode a string, e.g. 'aaabcc' becomes 'a3b1c2'.",
        "assert run_length('aaabcc') == 'a3b1c2'\nassert run_length('') == ''",
    ),
    (
        "def roman_to_int(numeral: str) -> int",
        "Convert a Roman numeral such as 'XIV' to an integer.",
        "assert roman_to_int('XIV') == 14\nassert roman_to_int('MCMXCIV') == 1994",
    ),
    (
        "def find_index(items: list[int], target: int) -> int",
        "Return the index of target in the sorted list using binary search, or -1 if it is absent.",
        "assert find_index([1, 3, 5, 7], 5) == 2\nassert find_index([1, 3, 5, 7], 4) == -1\nassert find_index([], 1) == -1",
    ),
    (
        "def transpose(matrix: list[list[int]]) -> list[list[int]]",
        "Transpose a matrix given as a list of rows.",
        "assert transpose([[1, 2, 3], [4, 5, 6]]) == [[1, 4], [2, 5], [3, 6]]",
    ),
    (
        "def snake_to_camel(name: str) -> str",
        "Convert a snake_case identifier to camelCase.",
        "assert snake_to_camel('total_amount_due') == 'totalAmountDue'\nassert snake_to_camel('id') == 'id'",
    ),
    (
        "def is_sorted(items: list) -> bool",
        "Return True if the list is in non-decreasing order.",
        "assert is_sorted([1, 2, 2, 5])\nassert not is_sorted([3, 1])\nassert is_sorted([])",
    ),
]
