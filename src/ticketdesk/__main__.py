from ticketdesk.cli import main

main()
