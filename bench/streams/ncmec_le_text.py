"""Free text of the ``ncmec_le`` stream (English): chat lines, ESP notes, profile bios.

Written as providers and users actually write: terse moderator notes, chat in lower case
with abbreviations and typos. Telling lines and harmless look-alikes are both here; which
one a referral gets is decided by its hidden situation in ``ncmec_le.py``.
"""

from __future__ import annotations

GROOMING = (
    "how old r u? u seem mature for ur age",
    "ur so pretty, do ur parents check ur phone?",
    "this is our secret ok, dont tell anyone",
    "i can send u a gift card if u want",
    "delete our chats after ok",
    "add me on the other app, its safer there",
    "you can trust me, im not like other guys",
    "are you home alone tonight?",
)
MEETING = (
    "i can pick you up after school on friday",
    "lets meet at the mall saturday, dont tell your mom",
    "whats ur address? ill come over when ur parents are out",
    "meet me at the park near ur school tomorrow at 4",
    "i booked a room for us this weekend",
    "ill drive to your town next week so we can finally meet",
    "wanna hang out irl? i'll bring you something nice",
    "cant wait to see u in person on sunday",
)
SEXTORTION = (
    "send me 300 or i send ur pics to all ur followers",
    "you have 24 hours to pay, i have your friends list",
    "pay with gift cards or everyone at your school sees it",
    "if you block me i post everything",
    "i know where u go to school. do what i say",
)
SEXTORTION_VICTIM = (
    "please stop i dont have money",
    "i will kill myself if u post it",
    "im scared please delete them",
)
TEEN = (
    "see u at school tomorrow lol",
    "meet at the skatepark after practice?",
    "delete that pic before ur mom sees",
    "ur so cute omg",
    "we should meet up at jakes party saturday",
    "my parents r so annoying",
    "send another one, only for me",
)
TRADING = (
    "got any new links?",
    "trade? i have a big folder",
    "check the cloud link, password in bio",
    "anyone have more from that series",
)
MEME = (
    "omg did u see this video, disgusting",
    "who made this?? report it",
    "this is going around everywhere",
    "sharing so people know what is happening",
)
ADULT_MEET = (
    "lets meet for coffee saturday",
    "i can pick you up from the station",
    "see you at the office party",
)

NOTES = {
    "hash_match": (
        "Detected by hash matching against an industry hash list at upload.",
        "Automated hash match; content not reviewed by a person.",
    ),
    "classifier": (
        "Flagged by an image classifier; a moderator confirmed an apparent minor.",
        "Unhashed content flagged by our nudity classifier.",
    ),
    "user_report": (
        "Reported by another user through the in-app report button.",
        "A parent reported the conversation with their child.",
        "The recipient reported the account to our safety team.",
    ),
    "moderator": (
        "Found during proactive review by our trust and safety team.",
        "Account reviewed after a keyword alert in messages.",
    ),
    "sweep": (
        "Historical content identified during a retroactive scan of stored files.",
        "Found when the account's archived uploads were re-scanned.",
    ),
}
MEME_NOTES = (
    "Content is widely circulated; shared by many accounts in outrage.",
    "Viral video; this account is one of hundreds that reposted it.",
)
AI_NOTES = (
    "Classifier indicates the image is likely AI-generated (synthetic).",
    "Image appears computer generated; prompt history shows a text-to-image tool.",
)
TEEN_NOTES = (
    "Both users appear to be minors (ages {a} and {b}).",
    "The reported user is {a} years old according to account information; the other user is {b}.",
)
GROOMER_NOTES = (
    "The reported user claimed to be {a} but account details suggest an adult.",
    "The user contacted several minors with similar messages.",
    "The user asked the child to move to another platform.",
)
PRODUCER_NOTES = (
    "The same child appears across several new uploads in a domestic setting.",
    "Uploads appear to be recent, self-produced and not previously known.",
)
SEXTORTION_NOTES = (
    "Financial sextortion: the user threatened to distribute images unless paid.",
    "The victim reported being threatened and asked for money.",
)

ACCESS_BIOS = (
    "youth swim coach | cert. lifeguard",
    "babysitter, 10 years experience, references available",
    "primary school teacher. opinions my own",
    "scout leader and proud uncle",
    "dad of two little ones",
    "after school tutor (maths, ages 8-12)",
)
PLAIN_BIOS = (
    "gamer. coffee. cats.",
    "living my best life",
    "music, travel, football",
    "proud mum of three",
    "teacher of english to adults",
    "",
)
TEEN_BIOS = ("15 | grade 10 | dm open", "16 yo, skating and music", "14, love gaming")
