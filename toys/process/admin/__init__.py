"""`toys-server migrate`, `copy` and `backup`: one-shot administration of a store, each
refusing what cannot be meant (toys.process.admin.refusals) and showing its progress."""
