"""The leads app's services: everything that writes or decides. The core lead services
(create, update, assign, status and stage changes, activities) are in ``leads.services.lead``;
the other modules are named after what they do."""
